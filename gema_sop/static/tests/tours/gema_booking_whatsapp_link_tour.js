import { rpc } from "@web/core/network/rpc";
import { registry } from "@web/core/registry";
import { patiently } from "@gema_sop/../tests/tours/gema_tour_steps";

/**
 * BK-5, BK-2, BK-10: the service advisor confirms a booking request; the
 * confirmation waits in a dialog with a real link to WhatsApp. One click
 * on it opens the chat in a new tab (a link the user clicks: no popup to
 * block) and records the opening; Mark as Sent logs the message, and the
 * booking form shows it without a reload. The Python test
 * (test_booking_whatsapp_link.py) checks the log and the clock afterwards.
 */
registry.category("web_tour.tours").add("gema_booking_whatsapp_link", {
    steps: () =>
        patiently([
            {
                content: "Confirm the booking request",
                trigger: ".o_form_view button[name='action_confirm']",
                run: "click",
            },
            {
                content: "Nothing is logged while the link is not sent",
                trigger: ".modal .o_field_widget[name='whatsapp_open_url'] a",
                run() {
                    const chatter = document.querySelector(".o-mail-Chatter");
                    if (chatter && chatter.textContent.includes("Mohon tunjukkan nomor booking")) {
                        throw new Error("The message was logged before it was sent");
                    }
                },
            },
            {
                content: "One click on the link opens WhatsApp in a new tab",
                trigger:
                    ".modal .o_field_widget[name='whatsapp_open_url'] a[target='_blank'][href^='/gema/message/']",
                run: "click",
            },
            {
                content: "The server recorded that the advisor followed the link",
                trigger: ".modal button[name='action_mark_sent']",
                async run() {
                    const deadline = Date.now() + 6000;
                    while (Date.now() < deadline) {
                        const opened = await rpc("/web/dataset/call_kw/gema.message/search_count", {
                            model: "gema.message",
                            method: "search_count",
                            args: [[["state", "=", "opened"]]],
                            kwargs: {},
                        });
                        if (opened) {
                            return;
                        }
                        await new Promise((resolve) => setTimeout(resolve, 100));
                    }
                    throw new Error("Following the link did not reach the server");
                },
            },
            {
                content: "Mark the message as sent",
                trigger: ".modal button[name='action_mark_sent']",
                run: "click",
            },
            {
                content: "The dialog closes; the form shows the confirmed booking",
                trigger:
                    "body:not(:has(.modal)) .o_statusbar_status button.o_arrow_button_current[data-value='confirmed']",
            },
            {
                content: "The chatter shows the message, logged once",
                trigger: ".o-mail-Chatter .o-mail-Message:contains('Mohon tunjukkan nomor booking')",
                run() {
                    const logged = [...document.querySelectorAll(".o-mail-Chatter .o-mail-Message")]
                        .filter((message) => message.textContent.includes("Mohon tunjukkan nomor booking"));
                    if (logged.length !== 1) {
                        throw new Error(`The message is logged ${logged.length} times`);
                    }
                },
            },
        ]),
});

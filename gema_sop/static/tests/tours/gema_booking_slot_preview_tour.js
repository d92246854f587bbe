import { rpc } from "@web/core/network/rpc";
import { registry } from "@web/core/registry";
import { patiently } from "@gema_sop/../tests/tours/gema_tour_steps";

async function confirmationCount() {
    return rpc("/web/dataset/call_kw/gema.message/search_count", {
        model: "gema.message",
        method: "search_count",
        args: [[]],
        kwargs: {},
    });
}

/**
 * BK-4, BK-7, BK-5: the service advisor opens the free slots of a request
 * whose time is taken: the times are grouped (each time once, its
 * technicians under it), the nearest ones marked first. Book shows the
 * confirmation in the customer's language, with channel and number, and
 * nothing is sent; Confirm and Send books it and opens the WhatsApp link.
 * The Python test (test_booking_slot_preview_tour.py) checks the booking
 * and the message afterwards.
 */
registry.category("web_tour.tours").add("gema_booking_slot_preview", {
    steps: () =>
        patiently([
            {
                content: "Find the free slots of the request",
                trigger: ".o_form_view button[name='action_find_slots']",
                run: "click",
            },
            {
                content: "The nearest times come first, marked, grouped by time",
                trigger: ".modal .o_data_row.text-warning .o_field_badge .badge",
                run() {
                    const rows = [...document.querySelectorAll(".modal .o_data_row")];
                    const time = (row) =>
                        row.querySelector("td[name='start']").textContent.trim();
                    // Nearest / Terdekat, in the advisor's language.
                    const marked = rows.filter((row) =>
                        row.matches(".text-warning:has(td[name='mark'] .badge)")
                    );
                    if (marked.length !== 4 || rows.indexOf(marked[3]) !== 3) {
                        throw new Error(`${marked.length} rows marked nearest, not the first 4`);
                    }
                    const mark = marked[0].querySelector("td[name='mark'] .badge").textContent;
                    if (!/^(Nearest|Terdekat)$/.test(mark.trim())) {
                        throw new Error(`The nearest time is marked "${mark}"`);
                    }
                    if (!time(rows[0]) || time(rows[1]) || !time(rows[2]) || time(rows[3])) {
                        throw new Error("Each time is not shown once above its technicians");
                    }
                },
            },
            {
                content: "Book the first nearest time",
                trigger: ".modal .o_data_row:first button[name='action_preview']",
                run: "click",
            },
            {
                content: "The confirmation is shown as it will be sent, nothing sent yet",
                trigger:
                    ".modal .o_field_widget[name='preview_body']:contains('Yth. Bapak/Ibu Budi Santoso')",
                async run() {
                    const recipient = document.querySelector(
                        ".modal .o_field_widget[name='preview_recipient']"
                    );
                    if (!recipient.textContent.includes("+6281234567890")) {
                        throw new Error("The number the confirmation goes to is not shown");
                    }
                    if (await confirmationCount()) {
                        throw new Error("A message was prepared before Confirm and Send");
                    }
                },
            },
            {
                content: "Confirm and send",
                trigger: ".modal button[name='action_confirm_send']",
                run: "click",
            },
            {
                content: "The confirmation waits in the WhatsApp link dialog",
                trigger: ".modal .o_field_widget[name='whatsapp_open_url'] a",
            },
        ]),
});

/** @odoo-module **/
/**
 * CS-1, CS-2 at phone size: a visitor of the public booking page opens the
 * branch's live chat, sees the welcome message that asks only for a name
 * and, to follow up, a WhatsApp number (G-5; the page is in Indonesian,
 * the database's language), and writes; the message shows
 * once in the chat. Started by test_livechat.py, which checks the
 * conversation the message opened.
 */
import { registry } from "@web/core/registry";
import { fitsPhoneScreen, patiently } from "@gema_sop/../tests/tours/gema_tour_steps";

const ROOT = ".o-livechat-root:shadow";

registry.category("web_tour.tours").add("gema_livechat_tour", {
    steps: () =>
        patiently([
            fitsPhoneScreen(`${ROOT} .o-livechat-LivechatButton`),
            {
                content: "Open the branch's live chat",
                trigger: `${ROOT} .o-livechat-LivechatButton`,
                run: "click",
            },
            {
                // In Indonesian, the page's language: "... your WhatsApp
                // number only if you want us to follow up there."
                content: "The welcome message asks only what the desk needs",
                trigger: `${ROOT} .o-mail-Message:contains(nomor WhatsApp Anda hanya jika)`,
            },
            {
                content: "Write the question",
                trigger: `${ROOT} .o-mail-Composer-input`,
                run: "edit Halo, berapa biaya ganti oli Avanza?",
            },
            {
                content: "Send it",
                trigger: `${ROOT} .o-mail-Composer-input`,
                run: "press Enter",
            },
            {
                content: "The message is in the chat, and the server has it",
                trigger: `${ROOT} .o-mail-Message:contains(berapa biaya ganti oli) .o-mail-Message-content:not(.opacity-50)`,
            },
        ]),
});

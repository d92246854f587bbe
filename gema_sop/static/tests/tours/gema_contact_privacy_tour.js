import { registry } from "@web/core/registry";
import { patiently } from "@gema_sop/../tests/tours/gema_tour_steps";

/**
 * G-5: technicians and logistics work in the web client without the
 * customer's contact data, and without an access error. The Python test
 * (test_contact_privacy.py) builds the job and the ticket: the customer
 * Budi Santoso follows both, was emailed by the desk and answered by email
 * with his number and street.
 */
const SECRETS = ["0812-3456-7890", "budi@example.com", "Sisingamangaraja"];

/** The text of ``root`` with that of the shadow roots inside it (the chatter
 * shows email bodies in a shadow root). */
function deepText(root) {
    let text = root.textContent;
    for (const element of root.querySelectorAll("*")) {
        if (element.shadowRoot) {
            text += deepText(element.shadowRoot);
        }
    }
    return text;
}

/** A step failing when ``selector`` (the whole page by default) shows the
 * customer's contact data or the chatter a message of the customer. */
function showsNoContact(content, selector = "body") {
    return {
        content,
        trigger: ".o-mail-Chatter .o-mail-Message",
        run() {
            const text = deepText(document.querySelector(selector));
            for (const secret of SECRETS) {
                if (text.includes(secret)) {
                    throw new Error(`The page shows the customer's ${secret}`);
                }
            }
            for (const message of document.querySelectorAll(".o-mail-Message")) {
                if (message.textContent.includes("Budi Santoso")) {
                    throw new Error("The chatter shows a message of the customer");
                }
            }
        },
    };
}

function followersAreStaff() {
    return [
        {
            content: "Open the followers",
            trigger: ".o-mail-Followers-button",
            run: "click",
        },
        {
            content: "The followers are the staff, not the customer",
            trigger: ".o-mail-Followers-dropdown .o-mail-Follower",
            run() {
                const names = document.querySelector(".o-mail-Followers-dropdown").textContent;
                if (names.includes("Budi Santoso")) {
                    throw new Error("The customer is listed among the followers");
                }
            },
        },
    ];
}

registry.category("web_tour.tours").add("gema_technician_job_privacy", {
    steps: () =>
        patiently([
            {
                content: "My Jobs shows the job by its plate",
                trigger: ".o_kanban_record:contains('BK 1234 ABC')",
                run: "click",
            },
            {
                content: "The job form names the customer",
                trigger: ".o_field_widget[name='partner_id']:contains('Budi Santoso')",
            },
            {
                content: "The chatter shows the desk's message",
                trigger: ".o-mail-Message:contains('Kendaraan Anda sedang kami kerjakan.')",
            },
            {
                content: "The technician's activity is listed",
                trigger: ".o-mail-Activity:contains('Periksa kampas rem')",
            },
            showsNoContact("No customer number, email or street on the job"),
            ...followersAreStaff(),
        ]),
});

registry.category("web_tour.tours").add("gema_logistics_ticket_privacy", {
    steps: () =>
        patiently([
            {
                content: "Open the return shipping tab",
                trigger: ".o_notebook a[name='shipping']",
                run: "click",
            },
            {
                content: "The ticket shows where the return goes",
                trigger: ".o_field_widget[name='return_address']:contains('Sisingamangaraja')",
            },
            {
                content: "... and the number for the courier",
                trigger: ".o_field_widget[name='return_phone']:contains('0812-3456-7890')",
            },
            {
                content: "The chatter shows the desk's message",
                trigger: ".o-mail-Message:contains('Kendaraan Anda sedang kami kerjakan.')",
            },
            showsNoContact("... and not the customer's reply", ".o-mail-Chatter"),
            ...followersAreStaff(),
        ]),
});

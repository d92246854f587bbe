import { registry } from "@web/core/registry";
import { fitsPhoneScreen, patiently } from "@gema_sop/../tests/tours/gema_tour_steps";

/**
 * AS-4 / AS-5: the customer opens their solved ticket from the token link
 * on a phone, sees the tracking number and rates the service. The Python
 * test (test_ticket_portal.py) builds the ticket and checks the rating in
 * the backend afterwards.
 */
registry.category("web_tour.tours").add("gema_ticket_portal_rating", {
    steps: () =>
        patiently([
            {
                content: "The page shows the solved ticket and its tracking number",
                trigger: "#gema_ticket_state[data-state='done']",
            },
            fitsPhoneScreen("#gema_ticket_tracking:contains('JNE0012345678')"),
            {
                content: "Choose 4 of 5",
                trigger: "label[for='gema_ticket_rating_4']",
                run: "click",
            },
            {
                content: "Write a comment",
                trigger: "#gema_ticket_rating_comment",
                run: "edit Cepat, terima kasih",
            },
            {
                content: "Send the rating",
                trigger: "#gema_ticket_rating button[type='submit']",
                run: "click",
                expectUnloadPage: true,
            },
            {
                content: "The rating is thanked and the form is gone",
                trigger: "#gema_ticket_rating:contains('4 / 5'):not(:has(form))",
            },
        ]),
});

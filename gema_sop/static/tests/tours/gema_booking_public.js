/** @odoo-module **/
/**
 * BK-1, BK-3, BK-4: a visitor books a free time on the public page /booking
 * and lands on the page that gives the booking number and says the branch
 * will confirm. Started by test_booking_public_page.py, which prepares the
 * branch, the service and the technician, opens /booking?date=<a working
 * day> (so the tour has no url of its own), then checks the booking in the
 * backend.
 */
import { registry } from "@web/core/registry";
import {
    bookingDetails,
    patiently,
    sendBooking,
} from "@gema_sop/../tests/tours/gema_tour_steps";

registry.category("web_tour.tours").add("gema_booking_public_tour", {
    steps: () =>
        patiently([
            {
                content: "Choose the branch",
                trigger: "select[name=company_id]",
                run: "selectByLabel Test Branch Medan",
            },
            {
                content: "Choose the service",
                trigger: "select[name=service_type_id]",
                run: "selectByLabel Tour Oil Change",
            },
            {
                content: "Show the free times of the chosen day",
                trigger: "button.o_gema_show_times",
                run: "click",
                expectUnloadPage: true,
            },
            {
                content: "Pick the first free time",
                trigger: ".o_gema_booking_times label.o_gema_time:first",
                run: "click",
            },
            ...bookingDetails({
                name: "Budi Santoso",
                phone: "0812-3456-7890",
                plate: "bk1234abc", // typed carelessly
                vehicle: "Toyota Avanza",
                complaint: "Rem berbunyi",
            }),
            ...sendBooking(),
            {
                content: "and says the branch will confirm",
                trigger: ".o_gema_booking_will_confirm",
            },
        ]),
});

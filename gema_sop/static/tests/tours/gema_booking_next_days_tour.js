/** @odoo-module **/
/**
 * BK-1, BK-4, G-4 at phone size: on a day without free times (the test
 * freezes a Sunday) the page says which day is the next free one and shows
 * its times; the visitor picks another of the next free days, a time, and
 * sends the request. Started by test_booking_public_next_days.py.
 */
import { registry } from "@web/core/registry";
import {
    bookingDetails,
    fitsPhoneScreen,
    patiently,
    sendBooking,
} from "@gema_sop/../tests/tours/gema_tour_steps";

registry.category("web_tour.tours").add("gema_booking_next_days_tour", {
    steps: () =>
        patiently([
            {
                content: "The page names the next free day",
                trigger: ".o_gema_next_free_day:contains(Monday, 30 November 2026)",
            },
            {
                content: "and shows it as the chosen day",
                trigger: ".o_gema_free_day.active[data-date='2026-11-30']",
            },
            fitsPhoneScreen(".o_gema_free_days"),
            {
                content: "Pick the next free day after it",
                trigger: ".o_gema_free_day[data-date='2026-12-01']",
                run: "click",
                expectUnloadPage: true,
            },
            {
                content: "Its times are shown",
                trigger: ".o_gema_free_day.active[data-date='2026-12-01']",
            },
            {
                content: "Pick 09:00",
                trigger: ".o_gema_booking_times label.o_gema_time:contains(09:00)",
                run: "click",
            },
            ...bookingDetails({
                name: "Budi Santoso",
                phone: "0812-3456-7890",
                plate: "BK 1234 ABC",
                vehicle: "Toyota Avanza",
            }),
            ...sendBooking(),
        ]),
});

/** @odoo-module **/
/**
 * BK-3 at phone size: a request the server refuses (a phone number that is
 * none) comes back with the typed details kept, and the first invalid field
 * has the focus and is on the screen with its message; corrected, it goes
 * through. Started by test_booking_public_next_days.py.
 */
import { registry } from "@web/core/registry";
import {
    bookingDetails,
    patiently,
    sendBooking,
} from "@gema_sop/../tests/tours/gema_tour_steps";

registry.category("web_tour.tours").add("gema_booking_error_focus_tour", {
    steps: () =>
        patiently([
            {
                content: "Pick the first free time",
                trigger: ".o_gema_booking_times label.o_gema_time:first",
                run: "click",
            },
            ...bookingDetails({
                name: "Budi Santoso",
                phone: "12345", // a WhatsApp number that is none
                plate: "BK 1234 ABC",
                vehicle: "Toyota Avanza",
            }),
            {
                content: "Send the request",
                trigger: "button.o_gema_send_booking",
                run: "click",
                expectUnloadPage: true,
            },
            {
                content: "The refused page shows the phone's message",
                trigger: "#gema_customer_phone_error:contains(12345)",
            },
            {
                content: "The phone field has the focus, on the screen, with its message",
                trigger: "input[name=customer_phone].is-invalid",
                run() {
                    const field = document.querySelector("input[name=customer_phone]");
                    if (document.activeElement !== field) {
                        throw new Error(
                            `The focus is on ${document.activeElement?.outerHTML}`
                        );
                    }
                    const message = document.getElementById("gema_customer_phone_error");
                    for (const element of [field, message]) {
                        const box = element.getBoundingClientRect();
                        if (box.top < 0 || box.bottom > window.innerHeight) {
                            throw new Error(`${element.id} is off the screen`);
                        }
                    }
                    if (document.querySelector("input[name=customer_name]").value !== "Budi Santoso") {
                        throw new Error("The name typed was lost");
                    }
                },
            },
            {
                content: "Correct the number",
                trigger: "input[name=customer_phone]",
                run: "edit 0812-3456-7890",
            },
            ...sendBooking(),
        ]),
});

/**
 * Steps shared by the customer-page tours.
 */

/**
 * A step that fails when the page, once ``trigger`` is shown, is wider
 * than the phone screen (sideways scrolling).
 */
export function fitsPhoneScreen(trigger) {
    return {
        content: "The page fits a phone screen (no sideways scrolling)",
        trigger,
        run() {
            const width = document.documentElement.scrollWidth;
            if (width > window.innerWidth) {
                throw new Error(
                    `The page is ${width}px wide on a ${window.innerWidth}px screen`
                );
            }
        },
    };
}

/**
 * The steps of a tour, each waiting up to 30 s for its trigger instead of
 * Odoo's 10 s: `make test` runs its two suites at once on the machine's
 * cores, where a view (the first of a tour above all) can take longer to
 * show. A step that never comes still fails.
 */
export function patiently(steps) {
    return steps.map((step) => ({ timeout: 30000, ...step }));
}

/**
 * The steps of the public booking form's BK-3 details, typed as a visitor
 * does; ``complaint`` is left out when not given.
 */
export function bookingDetails({ name, phone, plate, vehicle, complaint }) {
    const steps = [
        { content: "Name", trigger: "input[name=customer_name]", run: `edit ${name}` },
        {
            content: "WhatsApp number",
            trigger: "input[name=customer_phone]",
            run: `edit ${phone}`,
        },
        {
            content: "Licence plate",
            trigger: "input[name=license_plate]",
            run: `edit ${plate}`,
        },
        {
            content: "Vehicle type",
            trigger: "input[name=vehicle_type]",
            run: `edit ${vehicle}`,
        },
    ];
    if (complaint) {
        steps.push({
            content: "Complaint",
            trigger: "textarea[name=complaint]",
            run: `edit ${complaint}`,
        });
    }
    return steps;
}

/**
 * Send the public booking form and land on the page with the booking number.
 */
export function sendBooking() {
    return [
        {
            content: "Send the request",
            trigger: "button.o_gema_send_booking",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The result page gives the booking number",
            trigger: ".o_gema_booking_received .o_gema_booking_number:contains(BK/)",
        },
    ];
}

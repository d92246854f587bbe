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

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

import { registry } from "@web/core/registry";
import { patiently } from "@gema_sop/../tests/tours/gema_tour_steps";

/**
 * The front desk's bookings calendar (BK-9): the day view, its grid from
 * the branch's opening to its closing (08:00-17:00 WIB in the test, shown
 * in the browser's time zone), the technician in the filter panel and the
 * event reading customer, plate and service. The Python test
 * (test_booking_calendar.py) books the test technician on Tuesday 24
 * November 2026 at 09:00 WIB and opens the calendar on that day.
 */
function localTime(hour) {
    const local = luxon.DateTime.fromObject({ hour }, { zone: "Asia/Jakarta" }).toLocal();
    return `${String(local.hour).padStart(2, "0")}:00:00`;
}

registry.category("web_tour.tours").add("gema_booking_calendar_day", {
    steps: () =>
        patiently([
            {
                content: "The calendar opens on the day",
                trigger: ".o_calendar_view .fc-timeGridDay-view",
            },
            {
                content: "The event reads customer, plate and service",
                trigger:
                    ".fc-event .o_event_title:contains('Budi Santoso · BK 1234 ABC · Periodic service')",
            },
            {
                content: "The grid runs from the branch's opening to its closing",
                trigger: ".fc-timegrid-slot-label[data-time]",
                run() {
                    const times = [
                        ...document.querySelectorAll(".fc-timegrid-slot-label[data-time]"),
                    ].map((slot) => slot.dataset.time);
                    const [first, last] = [times[0], times[times.length - 1]];
                    if (first !== localTime(8) || last >= localTime(17)) {
                        throw new Error(
                            `Grid ${first}-${last}, expected ${localTime(8)} to before ${localTime(17)}`
                        );
                    }
                },
            },
            {
                content: "The technician is a filter, with the avatar",
                trigger: ".o_calendar_filter_item:contains('Employee technician') img",
            },
        ]),
});

/**
 * The day per technician (BK-9): the list grouped by technician, each
 * group in order of time with customer, plate and service. The Python test
 * opens it without the Today filter (the browser's day is not the test's).
 */
registry.category("web_tour.tours").add("gema_booking_day_per_technician", {
    steps: () =>
        patiently([
            {
                content: "One group per technician",
                trigger: ".o_group_name:contains('Employee technician')",
                run: "click",
            },
            {
                content: "The technician's bookings in order of time",
                trigger: ".o_data_row td[name=license_plate]:contains('BK 2 B')",
                run() {
                    const rows = [...document.querySelectorAll(".o_data_row")].map((row) =>
                        ["customer_name", "license_plate", "service_type_id"]
                            .map((name) => row.querySelector(`td[name=${name}]`).textContent.trim())
                            .join(" · ")
                    );
                    const expected = [
                        "Budi Santoso · BK 1234 ABC · Periodic service",
                        "Budi Santoso · BK 2 B · Periodic service",
                    ];
                    if (JSON.stringify(rows) !== JSON.stringify(expected)) {
                        throw new Error(`Rows ${JSON.stringify(rows)}, expected ${JSON.stringify(expected)}`);
                    }
                },
            },
        ]),
});

import { registry } from "@web/core/registry";
import { calendarView } from "@web/views/calendar/calendar_view";
import { CalendarModel } from "@web/views/calendar/calendar_model";
import { CalendarRenderer } from "@web/views/calendar/calendar_renderer";
import { CalendarCommonRenderer } from "@web/views/calendar/calendar_common/calendar_common_renderer";

const { DateTime } = luxon;

/**
 * The bookings calendar of the front desk (BK-5, BK-9): Odoo's calendar
 * with the grid limited to the branches' opening hours, no resizing (a
 * booking lasts its service) and a drag that moves the booking through
 * Reschedule (``gema.booking.action_calendar_move``) instead of writing
 * its dates: the same checks, the technician's slot moved with it, the
 * confirmation sent again and its WhatsApp link opened.
 */

/**
 * The hours to show, in the user's time zone, from the branches' opening
 * hours (``gema.booking.calendar_hours``: time zone, earliest opening and
 * latest closing, decimal hours). Empty (the whole day) without any, or
 * when a branch's hours cross the user's midnight.
 */
export function visibleHours(branches) {
    let first = null;
    let last = null;
    for (const { tz, hour_from, hour_to } of branches) {
        const day = DateTime.now().setZone(tz).startOf("day");
        const [from, to] = [hour_from, hour_to].map((hours) => {
            const local = day.plus({ minutes: Math.round(hours * 60) }).toLocal();
            return local.hour + local.minute / 60;
        });
        if (to <= from) {
            return {};
        }
        first = first === null ? from : Math.min(first, from);
        last = last === null ? to : Math.max(last, to);
    }
    if (first === null) {
        return {};
    }
    const time = (hours) => `${String(hours).padStart(2, "0")}:00:00`;
    return {
        slotMinTime: time(Math.floor(first)),
        slotMaxTime: time(Math.ceil(last)),
        scrollTime: time(Math.floor(first)),
    };
}

export class GemaBookingCalendarModel extends CalendarModel {
    static services = [...CalendarModel.services, "action"];

    setup(params, services) {
        super.setup(params, services);
        this.action = services.action;
        this.gemaHours = null;
    }

    async load(params = {}) {
        if (this.gemaHours === null) {
            this.gemaHours = visibleHours(
                await this.orm.call(this.meta.resModel, "calendar_hours", [])
            );
        }
        return super.load(params);
    }

    async updateRecord(record, options = {}) {
        const rawRecord = this.buildRawRecord(record, options);
        let action;
        try {
            action = await this.orm.call(this.meta.resModel, "action_calendar_move", [
                [record.id],
                rawRecord[this.meta.fieldMapping.date_start],
            ]);
        } finally {
            // Refused or moved: show the bookings as they now are.
            await this.load();
        }
        if (action && typeof action === "object") {
            await this.action.doAction(action);
        }
    }
}

export class GemaBookingCalendarCommonRenderer extends CalendarCommonRenderer {
    get options() {
        return {
            ...super.options,
            ...this.props.model.gemaHours,
            allDaySlot: false,
            eventDurationEditable: false,
        };
    }
}

export class GemaBookingCalendarRenderer extends CalendarRenderer {
    static components = {
        ...CalendarRenderer.components,
        day: GemaBookingCalendarCommonRenderer,
        week: GemaBookingCalendarCommonRenderer,
        month: GemaBookingCalendarCommonRenderer,
    };
}

export const gemaBookingCalendarView = {
    ...calendarView,
    Model: GemaBookingCalendarModel,
    Renderer: GemaBookingCalendarRenderer,
};

registry.category("views").add("gema_booking_calendar", gemaBookingCalendarView);

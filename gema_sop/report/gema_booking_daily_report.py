from datetime import datetime

import pytz

from odoo import api, models
from odoo.tools import format_date


class GemaBookingDailyReport(models.AbstractModel):
    """The daily booking list (BK-9): the chosen bookings grouped by branch
    and by day of the branch's time zone, in time order."""

    _name = "report.gema_sop.report_gema_booking_daily"
    _description = "Daily Booking List"

    @api.model
    def _get_report_values(self, docids, data=None):
        bookings = self.env["gema.booking"].browse(docids).filtered("start")
        groups = {}
        for booking in bookings.sorted(lambda b: (b.start, b.id)):
            tz = pytz.timezone(booking.tz)
            day = pytz.utc.localize(booking.start).astimezone(tz).date()
            groups.setdefault((booking.company_id, day), []).append(booking)
        values = [
            {
                "company": company,
                "day": day,
                "day_label": format_date(
                    self.env,
                    datetime.combine(day, datetime.min.time()),
                    date_format="full",
                ),
                "bookings": self.env["gema.booking"].concat(*items),
            }
            for (company, day), items in sorted(
                groups.items(), key=lambda item: (item[0][0].name, item[0][1])
            )
        ]
        return {
            "doc_ids": docids,
            "doc_model": "gema.booking",
            "docs": bookings,
            "groups": values,
        }

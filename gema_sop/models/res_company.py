from datetime import datetime, time
from urllib.parse import urlparse

import pytz

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import normalize_phone

DEFAULT_TZ = "Asia/Jakarta"


class ResCompany(models.Model):
    """Customer-care settings of a company or branch.

    Branches are Odoo companies (``parent_id``), so every setting here is per
    branch: each workshop has its own hours, WhatsApp number and review link.
    """

    _inherit = "res.company"

    gema_operating_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Operating Hours",
        check_company=True,
        help="Opening hours of this branch (with its time zone and public "
        "holidays as leaves). Every SOP time standard counts working time in "
        "this calendar. Empty: the company's working hours are used.",
    )
    gema_google_review_url = fields.Char(
        string="Google Review Link",
        help="Public review link sent to customers after the follow-up call "
        "(follow-up SOP).",
    )
    gema_review_ask_everyone = fields.Boolean(
        string="Ask Every Reached Customer for a Public Review",
        default=True,
        help="Google forbids asking only happy customers for reviews (review "
        "gating): when on, every reached customer without an open complaint "
        "can be sent the review link in a neutral message; when off, only "
        "satisfied customers get it, with the testimonial request.",
    )
    gema_whatsapp_number = fields.Char(
        string="WhatsApp Business Number",
        help="The branch's WhatsApp Business number, shown to customers and "
        "used for click-to-chat links. Stored in international form "
        "(+62...).",
    )
    gema_whatsapp_gateway_enabled = fields.Boolean(
        string="Send WhatsApp Automatically",
        help="Send customer messages through the WhatsApp Business Cloud API "
        "instead of opening a click-to-chat link for the staff member. Off "
        "by default.",
    )
    gema_whatsapp_api_url = fields.Char(
        string="WhatsApp API URL",
        default="https://graph.facebook.com/v21.0",
        help="Base URL of the WhatsApp Business Cloud API.",
    )
    gema_whatsapp_phone_number_id = fields.Char(
        string="WhatsApp Phone Number ID",
        help="The phone number ID of the WhatsApp Business account, as shown "
        "in the Meta developer console.",
    )
    gema_whatsapp_access_token = fields.Char(
        string="WhatsApp Access Token",
        groups="base.group_system",
        help="Permanent access token of the WhatsApp Business system user. "
        "Only administrators can read it.",
    )

    gema_whatsapp_app_secret = fields.Char(
        string="WhatsApp App Secret",
        groups="base.group_system",
        help="App secret of the Meta app: incoming webhook calls are accepted "
        "only when signed with it. Only administrators can read it.",
    )
    gema_whatsapp_verify_token = fields.Char(
        string="WhatsApp Webhook Verify Token",
        groups="base.group_system",
        help="Any secret text; give the same in the Meta developer console "
        "when subscribing the webhook URL /gema/whatsapp/webhook.",
    )

    gema_booking_slot_minutes = fields.Integer(
        string="Booking Slot Grid",
        default=30,
        help="Bookable start times are this many minutes apart (08:00, "
        "08:30, ... for 30).",
    )
    gema_service_bays = fields.Integer(
        string="Service Bays",
        default=0,
        help="How many vehicles the branch can work on at the same time. "
        "0: no limit other than the technicians.",
    )
    gema_booking_no_show_grace = fields.Integer(
        string="No-show Grace Period",
        default=30,
        help="Minutes after the booked time after which a customer who has "
        "not arrived is marked as a no-show.",
    )
    gema_conversation_retention_months = fields.Integer(
        string="Chat Retention (Months)",
        default=12,
        help="Months after closing after which the content of a customer "
        "service conversation (messages, summary, contact data) is removed; "
        "its statistics are kept (CS-7, G-5). 0 keeps the content.",
    )
    gema_booking_retention_months = fields.Integer(
        string="Booking Retention (Months)",
        default=12,
        help="Months after its creation after which the content of a booking "
        "that never became a job (cancelled, no-show, never confirmed) is "
        "removed; its statistics are kept (G-5). 0 keeps the content.",
    )
    gema_ticket_retention_months = fields.Integer(
        string="Ticket Retention (Months)",
        default=60,
        help="Months after it was solved or cancelled after which the "
        "customer's data of an after-sales ticket is removed; the product, "
        "serial number, dates and outcome stay for the warranty (G-5). 0 "
        "keeps the content.",
    )
    gema_warranty_months = fields.Integer(
        string="Default Warranty (Months)",
        default=6,
        help="Warranty terms proposed on a new after-sales ticket (AS-2); "
        "the officer corrects it when the product's terms differ.",
    )
    # AS-1: the branch's address for after-sales email (e.g. purnajual@...).
    gema_ticket_alias_id = fields.Many2one(
        "mail.alias",
        string="After-sales Email Alias",
        copy=False,
        readonly=True,
        ondelete="set null",
    )
    gema_ticket_alias_name = fields.Char(
        string="After-sales Email",
        compute="_compute_gema_ticket_alias_name",
        inverse="_inverse_gema_ticket_alias_name",
        help="The part before the @ of the address at which this branch "
        "receives after-sales complaints by email, e.g. purnajual; each new "
        "email becomes a ticket of this branch and its number goes back to "
        "the sender (AS-1). Empty: no such address.",
    )

    _sql_constraints = [
        (
            "gema_booking_slot_minutes_positive",
            "CHECK (gema_booking_slot_minutes > 0)",
            "The booking slot grid must be at least one minute.",
        ),
        (
            "gema_service_bays_positive",
            "CHECK (gema_service_bays >= 0)",
            "The number of service bays cannot be negative.",
        ),
        (
            "gema_booking_no_show_grace_positive",
            "CHECK (gema_booking_no_show_grace >= 0)",
            "The no-show grace period cannot be negative.",
        ),
        (
            "gema_warranty_months_positive",
            "CHECK (gema_warranty_months >= 0)",
            "The default warranty period cannot be negative.",
        ),
        (
            "gema_conversation_retention_months_positive",
            "CHECK (gema_conversation_retention_months >= 0)",
            "The chat retention period cannot be negative.",
        ),
        (
            "gema_booking_retention_months_positive",
            "CHECK (gema_booking_retention_months >= 0)",
            "The booking retention period cannot be negative.",
        ),
        (
            "gema_ticket_retention_months_positive",
            "CHECK (gema_ticket_retention_months >= 0)",
            "The ticket retention period cannot be negative.",
        ),
    ]

    @api.constrains("gema_google_review_url", "gema_whatsapp_api_url")
    def _check_gema_urls(self):
        bad = []
        for company in self:
            for url in (company.gema_google_review_url, company.gema_whatsapp_api_url):
                if url:
                    parsed = urlparse(url)
                    if parsed.scheme not in ("http", "https") or not parsed.netloc:
                        bad.append(url)
        if bad:
            raise ValidationError(
                self.env._(
                    "These links are not valid web addresses (http:// or "
                    "https://): %(links)s",
                    links=", ".join(bad),
                )
            )

    @api.constrains(
        "gema_whatsapp_gateway_enabled",
        "gema_whatsapp_api_url",
        "gema_whatsapp_phone_number_id",
    )
    def _check_gema_whatsapp_gateway(self):
        incomplete = self.filtered(
            lambda c: c.gema_whatsapp_gateway_enabled
            and not (c.gema_whatsapp_api_url and c.gema_whatsapp_phone_number_id)
        )
        if incomplete:
            raise ValidationError(
                self.env._(
                    "Automatic WhatsApp sending needs the API URL and the phone "
                    "number ID (%(companies)s).",
                    companies=", ".join(incomplete.mapped("name")),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._gema_normalize_vals(vals)
            self._gema_default_currency(vals)
        companies = super().create(vals_list)
        self.env["im_livechat.channel"]._gema_setup_branches(companies)
        return companies

    def write(self, vals):
        self._gema_normalize_vals(vals)
        return super().write(vals)

    @api.depends("gema_ticket_alias_id.alias_name")
    def _compute_gema_ticket_alias_name(self):
        for company in self:
            company.gema_ticket_alias_name = company.gema_ticket_alias_id.alias_name

    def _inverse_gema_ticket_alias_name(self):
        """Create the branch's ticket alias on first use, rename it after;
        mail.alias cleans the name and refuses one already taken."""
        for company in self:
            name = company.gema_ticket_alias_name or False
            # sudo: only administrators write aliases (mail.alias rights);
            # whoever may change the branch's settings sets its address.
            alias = company.gema_ticket_alias_id.sudo()
            if alias:
                alias.alias_name = name
            elif name:
                values = company._gema_ticket_alias_values(name)
                alias = alias.with_context(lang="en_US").create(values)
                company._gema_translate_ticket_alias_bounce(alias)
                company.gema_ticket_alias_id = alias

    def _gema_ticket_alias_values(self, name):
        """A new email opens a ticket of this branch, on the email channel,
        from anyone (customers write without an account)."""
        self.ensure_one()
        return {
            "alias_name": name,
            "alias_model_id": self.env["ir.model"]._get_id("gema.ticket"),
            "alias_defaults": repr({"company_id": self.id, "channel": "email"}),
            "alias_contact": "everyone",
            "alias_domain_id": self.alias_domain_id.id,
            "alias_bounced_content": self._gema_ticket_alias_bounce("en_US"),
        }

    def _gema_translate_ticket_alias_bounce(self, alias):
        """The bounce is read in the sender's language: its paragraphs get
        the translation of every installed language (an HTML field is
        translated term by term)."""
        field = alias._fields["alias_bounced_content"]
        english = field.get_trans_terms(self._gema_ticket_alias_bounce("en_US"))
        alias.update_field_translations(
            "alias_bounced_content",
            {
                lang: dict(
                    zip(
                        english,
                        field.get_trans_terms(self._gema_ticket_alias_bounce(lang)),
                        strict=False,
                    )
                )
                for lang, _label in self.env["res.lang"].get_installed()
                if lang != "en_US"
            },
        )

    def _gema_ticket_alias_bounce(self, lang):
        """What a refused sender (a staff member) reads back, in ``lang``."""
        return self.with_context(lang=lang).env._(
            "<p>This address opens after-sales tickets for customers. "
            "Staff members record a ticket in Odoo instead.</p>"
        )

    def _gema_normalize_vals(self, vals):
        if vals.get("gema_whatsapp_number"):
            vals["gema_whatsapp_number"] = normalize_phone(
                self.env, vals["gema_whatsapp_number"]
            )

    def _gema_default_currency(self, vals):
        """A company set up in a country without a currency chosen gets the
        country's (IDR in Indonesia), as Odoo's form does on changing the
        country; else amounts in customer messages would read "$ 450.000"
        for an Indonesian workshop. A branch keeps its root's currency (Odoo
        requires it), so this decides only for a root company."""
        if (
            vals.get("currency_id")
            or vals.get("parent_id")
            or not vals.get("country_id")
        ):
            return
        currency = self.env["res.country"].browse(vals["country_id"]).currency_id
        if currency:
            vals["currency_id"] = currency.id

    def _gema_operating_calendar(self):
        """The calendar that SOP time standards count in for this branch."""
        self.ensure_one()
        return self.gema_operating_calendar_id or self.resource_calendar_id

    def _gema_tz(self):
        """The branch's time zone, in which customers and staff read times
        and in which the SOPs' days begin: its operating calendar's. The
        one place that decides it: without a branch (the public page before
        one is chosen) or a calendar, WIB, where the SOPs' branches are."""
        if not self:
            return DEFAULT_TZ
        self.ensure_one()
        return self._gema_operating_calendar().tz or DEFAULT_TZ

    def _gema_demo_moment(self, days, hour, minute=0):
        """The demo data's dates (``demo/*.xml``): ``days`` working days of
        the branch's operating calendar after today (before it when
        negative; Sundays and public holidays skipped), at ``hour``:``minute``
        in the branch's time zone, as Odoo stores it (naive UTC); ``days``
        0 is today if it is a working day, else the next working day. The
        demo thus tells the same story on whatever day and hour it is
        installed: past steps on past working days, coming ones on coming
        working days, all within opening hours."""
        self.ensure_one()
        tz = pytz.timezone(self._gema_tz())
        calendar = self._gema_operating_calendar()
        today = datetime.now(tz).date()
        if days:
            day = calendar._gema_shift_day(today, days)
        else:
            day = calendar._gema_shift_day(calendar._gema_shift_day(today, -1), 1)
        moment = tz.localize(datetime.combine(day, time(hour, minute)))
        return fields.Datetime.to_string(moment.astimezone(pytz.utc))

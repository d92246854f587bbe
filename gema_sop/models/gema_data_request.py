import base64
import json

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import html2plaintext

from ..tools import assign_numbers, normalize_phone
from .gema_retention_mixin import remove_history

STATES = [
    ("new", "New"),
    ("found", "Found"),
    ("exported", "Exported"),
    ("erased", "Erased"),
    ("done", "Done"),
]
# Find lists what is held, Export gives it to the customer, Erase removes
# it; Done closes the request (and its 3 x 24-hour clock is stopped by the
# export or the erasure, the answers the law asks for).
TRANSITIONS = {
    "new": {"find": "found"},
    "found": {
        "find": "found",
        "export": "exported",
        "erase": "erased",
        "close": "done",
    },
    "exported": {"export": "exported", "erase": "erased", "close": "done"},
    "erased": {"export": "erased", "close": "done"},
    "done": {},
}
# The records held about a person, per SOP, with the fields the customer
# gets in the export (their own labels, in the request's language) and the
# states in which the record is still in use (Erase is refused then).
SUBJECT_MODELS = {
    "gema.booking": {
        "phone": "customer_phone",
        "fields": [
            "name",
            "state",
            "channel",
            "customer_name",
            "customer_phone",
            "partner_id",
            "license_plate",
            "vehicle_type",
            "service_type_id",
            "complaint",
            "requested_start",
            "start",
            "pending_note",
            "create_date",
        ],
        "open": ("request", "pending", "confirmed"),
    },
    "gema.service.job": {
        "phone": "customer_phone",
        "fields": [
            "name",
            "state",
            "customer_name",
            "customer_phone",
            "partner_id",
            "license_plate",
            "complaint",
            "diagnosis",
            "estimated_cost",
            "total_cost",
            "planned_start",
            "pickup_date",
            "create_date",
        ],
        "open": (
            "reception",
            "inspection",
            "waiting_approval",
            "in_progress",
            "quality_check",
            "ready",
        ),
    },
    "gema.followup": {
        "phone": "customer_phone",
        "fields": [
            "name",
            "state",
            "customer_phone",
            "partner_id",
            "license_plate",
            "service_date",
            "condition_note",
            "outcome",
            "feedback",
            "complaint_resolution",
            "social_permission",
            "testimonial_text",
            "testimonial_url",
        ],
        "open": ("to_call", "no_answer"),
    },
    "gema.conversation": {
        "phone": "customer_phone",
        "fields": [
            "name",
            "state",
            "channel",
            "customer_name",
            "customer_phone",
            "partner_id",
            "summary",
            "closed_date",
            "rating",
            "rating_comment",
            "rated_date",
        ],
        "open": ("new", "answered", "escalated"),
    },
    "gema.ticket": {
        "phone": "customer_phone",
        "fields": [
            "name",
            "state",
            "customer_name",
            "customer_phone",
            "partner_id",
            "product_name",
            "serial_number",
            "purchase_date",
            "warranty_status",
            "chronology",
            "resolution_note",
            "rating",
            "rating_comment",
            "rated_date",
            "create_date",
        ],
        "open": ("new", "verified", "analysis", "in_progress", "shipping"),
    },
    "gema.message": {
        "phone": "phone",
        "fields": ["record_name", "channel", "phone", "body", "state", "create_date"],
        "open": ("queued", "sending", "check"),
    },
}
PARTNER_FIELDS = [
    "name",
    "phone",
    "mobile",
    "email",
    "street",
    "city",
    "zip",
    # What the customer agreed to, when and how (gema.consent).
    "gema_whatsapp_consent",
    "gema_whatsapp_consent_date",
    "gema_whatsapp_consent_channel",
    "gema_testimonial_consent",
    "gema_testimonial_consent_date",
    "gema_testimonial_consent_channel",
]
# What the erasure writes on the records it does not take through the
# retention mixin (``_remove_content``).
CLEARED = {
    "gema.service.job": {
        "customer_name": False,
        "customer_phone": False,
        "complaint": False,
        "diagnosis": False,
    },
    "gema.followup": {
        "customer_phone": False,
        "condition_note": False,
        "feedback": False,
        "complaint_resolution": False,
        "testimonial_text": False,
        "testimonial_url": False,
        "testimonial_reply": False,
    },
}
PARTNER_CLEARED = {
    "phone": False,
    "mobile": False,
    "email": False,
    "street": False,
    "street2": False,
    "city": False,
    "zip": False,
    "comment": False,
    "active": False,
}


class GemaDataRequest(models.Model):
    """A customer's request about their personal data (UU 27/2022 on
    personal data protection, PDP; G-5), handled by a CS supervisor of the
    branch within 3 x 24 hours (the SLA policy ``G-5``).

    The person is identified by WhatsApp number (normalised as everywhere
    in the addon, ``tools/phone.py``) and/or email. *Find* lists every
    record of the branch held about them (``line_ids``): bookings, service
    jobs, follow-ups, conversations, tickets, messages sent, the customer
    and their chatter. *Export* attaches a JSON file the customer can read,
    with each field under its label. *Erase* removes or anonymises, in one
    transaction, what no legal duty keeps: a delivered service job is
    invoiced work and stays as it is (with the booking it came from and the
    customer it names), the request saying so; records still in use refuse
    the erasure until they are finished or cancelled.
    """

    _name = "gema.data.request"
    _description = "Personal Data Request (PDP)"
    _inherit = ["gema.sla.mixin", "gema.state.mixin"]
    _gema_transitions = TRANSITIONS
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Request Number", readonly=True, copy=False, default="/", index=True
    )
    state = fields.Selection(
        STATES,
        default="new",
        required=True,
        tracking=True,
        copy=False,
        index=True,
        readonly=True,
    )
    can_find = fields.Boolean(compute="_compute_gema_can")
    can_export = fields.Boolean(compute="_compute_gema_can")
    can_erase = fields.Boolean(compute="_compute_gema_can")
    can_close = fields.Boolean(compute="_compute_gema_can")
    company_id = fields.Many2one(
        "res.company",
        string="Branch",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Handled By",
        default=lambda self: self.env.user,
        tracking=True,
        domain="[('share', '=', False)]",
    )
    requester_name = fields.Char(string="Person's Name", tracking=True)
    phone = fields.Char(
        string="WhatsApp Number",
        tracking=True,
        help="Stored in international form (+62...).",
    )
    email = fields.Char(tracking=True)
    request_note = fields.Text(
        string="What the Person Asks",
        help="As they asked it: a copy of their data, its erasure, both.",
    )
    line_ids = fields.One2many(
        "gema.data.request.line", "request_id", string="Records Held", readonly=True
    )
    found_date = fields.Datetime(string="Found On", readonly=True, copy=False)
    export_attachment_id = fields.Many2one(
        "ir.attachment", string="Export File", readonly=True, copy=False
    )
    exported_date = fields.Datetime(string="Exported On", readonly=True, copy=False)
    erased_date = fields.Datetime(string="Erased On", readonly=True, copy=False)
    erase_report = fields.Text(
        string="Erasure Report",
        readonly=True,
        copy=False,
        help="What was erased or anonymised, what was kept and why.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._clean_person(vals)
            if not vals.get("phone") and not vals.get("email"):
                raise ValidationError(self._no_person())
        assign_numbers(self, vals_list)
        return super().create(vals_list)

    def write(self, vals):
        if {"phone", "email"} & set(vals) and self.filtered(lambda r: r.state != "new"):
            raise UserError(
                self.env._(
                    "The person of a request cannot change once its records "
                    "were found; open a new request."
                )
            )
        self._clean_person(vals)
        return super().write(vals)

    @api.model
    def _clean_person(self, vals):
        """The number in international form, the email trimmed and
        lower-cased (the same number and address as the records hold)."""
        if vals.get("phone"):
            vals["phone"] = normalize_phone(self.env, vals["phone"])
        if vals.get("email"):
            vals["email"] = vals["email"].strip().lower()
            if "@" not in vals["email"]:
                raise ValidationError(
                    self.env._(
                        "%(email)s is not an email address.", email=vals["email"]
                    )
                )

    @api.constrains("phone", "email")
    def _check_person(self):
        if self.filtered(lambda r: not r.phone and not r.email):
            raise ValidationError(self._no_person())

    def _no_person(self):
        return self.env._(
            "Give the person's WhatsApp number or email address, to find their records."
        )

    # Find --------------------------------------------------------------------

    def _partners(self):
        """The customers of the branch (or shared) with the request's number
        or email."""
        self.ensure_one()
        conditions = []
        if self.phone:
            conditions.append([("gema_whatsapp_e164", "=", self.phone)])
        if self.email:
            conditions.append([("email", "=ilike", self.email)])
        domain = (
            conditions[0]
            if len(conditions) == 1
            else ["|", *conditions[0], *conditions[1]]
        )
        # sudo: the supervisor must find every customer of the number,
        # including those their contact rules hide; only of the branch.
        return (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .search([("company_id", "in", [False, self.company_id.id]), *domain])
        )

    def _held(self):
        """{model: records} of the branch held about the person."""
        self.ensure_one()
        partners = self._partners()
        held = {"res.partner": partners}
        for model, spec in SUBJECT_MODELS.items():
            who = [("partner_id", "in", partners.ids)]
            if self.phone:
                who = ["|", (spec["phone"], "=", self.phone), *who]
            # sudo: a supervisor reads every SOP record of the branch, but
            # not every field (a message's log); the domain is the branch.
            held[model] = (
                self.env[model]
                .sudo()
                .search([("company_id", "=", self.company_id.id), *who])
            )
        return held

    def _decide(self, held):
        """{(model, id): (decision, reason)} of the records found."""
        kept_jobs = held["gema.service.job"].filtered(lambda j: j.state == "delivered")
        decisions = {}
        for model, records in held.items():
            if model == "res.partner":
                continue
            open_states = SUBJECT_MODELS[model]["open"]
            for record in records:
                if record.state in open_states:
                    decision = (
                        "open",
                        self.env._("Still in use: finish or cancel it first."),
                    )
                elif (model == "gema.service.job" and record in kept_jobs) or (
                    model == "gema.booking" and record.service_job_ids & kept_jobs
                ):
                    decision = (
                        "keep",
                        self.env._(
                            "Invoiced work (a delivered service job): kept for "
                            "10 years as the company documents and tax laws "
                            "require (UU 8/1997, UU KUP)."
                        ),
                    )
                elif model == "gema.message" and (
                    record.res_model,
                    record.res_id,
                ) in {(job._name, job.id) for job in kept_jobs}:
                    decision = (
                        "keep",
                        self.env._("Part of a kept service job's record."),
                    )
                else:
                    decision = ("erase", "")
                decisions[(model, record.id)] = decision
        for partner in held["res.partner"]:
            others = self._partner_elsewhere(partner, held)
            if kept_jobs.filtered(lambda j, p=partner: j.partner_id == p):
                decisions[("res.partner", partner.id)] = (
                    "keep",
                    self.env._("Named on invoiced work: name and number kept with it."),
                )
            elif others:
                decisions[("res.partner", partner.id)] = (
                    "keep",
                    self.env._("Also the customer of records of another branch."),
                )
            else:
                decisions[("res.partner", partner.id)] = ("erase", "")
        return decisions

    def _partner_elsewhere(self, partner, held):
        """Whether an SOP record outside the request's branch names
        ``partner`` (its data is not this branch's to erase)."""
        for model in SUBJECT_MODELS:
            # sudo: counting, across branches, what names the customer.
            if (
                self.env[model]
                .sudo()
                .search_count(
                    [
                        ("partner_id", "=", partner.id),
                        ("company_id", "!=", self.company_id.id),
                    ],
                    limit=1,
                )
            ):
                return True
        return False

    def action_find(self):
        """List every record held about the person, with what Erase would
        do with each."""
        self._check_action("find")
        for request in self:
            held = request._held()
            request._write_lines(held, request._decide(held))
            request._move("found", found_date=fields.Datetime.now())
        return True

    def _write_lines(self, held, decisions):
        """One line per record held, with its decision."""
        lines = [(5, 0, 0)]
        for sequence, (model, records) in enumerate(held.items()):
            label = self.env["ir.model"]._get(model).name
            counts = dict(
                self.env["mail.message"]
                .sudo()
                ._read_group(
                    [("model", "=", model), ("res_id", "in", records.ids)],
                    ["res_id"],
                    ["__count"],
                )
            )
            for record in records:
                decision, reason = decisions[(model, record.id)]
                state = record._fields.get("state")
                lines.append(
                    (
                        0,
                        0,
                        {
                            "sequence": sequence,
                            "res_model": model,
                            "res_id": record.id,
                            "model_label": label,
                            "record_name": record.display_name,
                            "state_label": state
                            and dict(state._description_selection(self.env)).get(
                                record.state
                            ),
                            "message_count": counts.get(record.id, 0),
                            "decision": decision,
                            "reason": reason,
                        },
                    )
                )
        # sudo: the lines are the finding's result, typed by nobody.
        self.sudo().line_ids = lines

    # Export ------------------------------------------------------------------

    def _export_data(self):
        """The person's data as {label: value}, per record, with each
        record's chatter, in the request's language."""
        self.ensure_one()
        held = self._held()
        records = []
        for model, found in held.items():
            names = (
                PARTNER_FIELDS
                if model == "res.partner"
                else SUBJECT_MODELS[model]["fields"]
            )
            kind = self.env["ir.model"]._get(model).name
            for record in found:
                values = {}
                for name in names:
                    field = record._fields[name]
                    value = field.convert_to_export(record[name], record)
                    values[field._description_string(self.env)] = (
                        str(value) if value not in ("", False, None) else ""
                    )
                messages = (
                    self.env["mail.message"]
                    .sudo()
                    .search(
                        [("model", "=", model), ("res_id", "=", record.id)],
                        order="date, id",
                    )
                )
                records.append(
                    {
                        self.env._("Kind of Record"): kind,
                        self.env._("Record"): record.display_name,
                        self.env._("Data"): values,
                        self.env._("Messages"): self._message_entries(messages),
                    }
                )
        # The person's own messages on other records (a portal comment).
        pairs = {
            (model, res_id) for model, found in held.items() for res_id in found.ids
        }
        # sudo: the person's messages, wherever they wrote them.
        written = (
            self.env["mail.message"]
            .sudo()
            .search(
                [("author_id", "in", held["res.partner"].ids)],
                order="date, id",
            )
            .filtered(lambda m: (m.model, m.res_id) not in pairs)
        )
        return {
            self.env._("Request"): self.name,
            self.env._("Branch"): self.company_id.name,
            self.env._("Exported On"): str(fields.Datetime.now()),
            self.env._("Records"): records,
            self.env._("Messages Written Elsewhere"): self._message_entries(written),
        }

    def _message_entries(self, messages):
        """The chatter ``messages`` as plain text entries."""
        return [
            {
                self.env._("Date"): str(message.date),
                self.env._("Author"): message.author_id.name
                or message.email_from
                or "",
                self.env._("Text"): html2plaintext(message.body or "")
                or message.subject
                or "",
            }
            for message in messages
            if message.body or message.subject
        ]

    def action_export(self):
        """Attach the person's data as a readable JSON file."""
        self._check_action("export")
        for request in self:
            content = json.dumps(request._export_data(), ensure_ascii=False, indent=2)
            # sudo: the export belongs to the request (readable with it), and
            # holds fields the supervisor's role may not create alone.
            attachment = (
                self.env["ir.attachment"]
                .sudo()
                .create(
                    {
                        "name": f"{request.name.replace('/', '-')}.json",
                        "datas": base64.b64encode(content.encode()),
                        "mimetype": "application/json",
                        "res_model": request._name,
                        "res_id": request.id,
                    }
                )
            )
            request._move(
                "erased" if request.state == "erased" else "exported",
                export_attachment_id=attachment.id,
                exported_date=fields.Datetime.now(),
            )
        return True

    # Erase -------------------------------------------------------------------

    def action_erase(self):
        """Remove or anonymise what no legal duty keeps, all or nothing."""
        self._check_action("erase")
        for request in self:
            request._erase()
        return True

    def _erase(self):
        self.ensure_one()
        held = self._held()
        decisions = self._decide(held)
        still_open = [
            held[model].browse(res_id).display_name
            for (model, res_id), (decision, _reason) in decisions.items()
            if decision == "open"
        ]
        if still_open:
            raise UserError(
                self.env._(
                    "These records are still in use; finish or cancel them "
                    "before erasing: %(records)s",
                    records=", ".join(still_open),
                )
            )
        self._write_lines(held, decisions)
        now = fields.Datetime.now()
        erased, kept = [], []
        for model, records in held.items():
            # A message may already have gone with its record's history.
            chosen = records.exists().filtered(
                lambda r, m=model: decisions[(m, r.id)][0] == "erase"
            )
            for record in records.filtered(
                lambda r, m=model: decisions[(m, r.id)][0] == "keep"
            ):
                kept.append(
                    f"{record.display_name}: {decisions[(model, record.id)][1]}"
                )
            if not chosen:
                continue
            erased.extend(chosen.mapped("display_name"))
            if model == "res.partner":
                remove_history(chosen)
                chosen.write(
                    dict(PARTNER_CLEARED, name=self.env._("Anonymised customer"))
                )
            elif "content_removed_date" in chosen._fields:
                chosen._remove_content(now)
            elif model == "gema.message":
                chosen.unlink()
            else:
                chosen.with_context(tracking_disable=True).write(CLEARED[model])
                remove_history(chosen)
        report = [self.env._("Erased or anonymised:")] + [
            f"- {name}" for name in erased
        ]
        if kept:
            report += [self.env._("Kept:")] + [f"- {line}" for line in kept]
        self.erase_report = "\n".join(report)
        self._move("erased", erased_date=now)

    def action_close(self):
        self._check_action("close")
        self._move("done")
        return True

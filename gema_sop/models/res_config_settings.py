from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    """Settings > Customer Care: the current company's SOP settings."""

    _inherit = "res.config.settings"

    gema_operating_calendar_id = fields.Many2one(
        related="company_id.gema_operating_calendar_id", readonly=False
    )
    gema_google_review_url = fields.Char(
        related="company_id.gema_google_review_url", readonly=False
    )
    gema_review_ask_everyone = fields.Boolean(
        related="company_id.gema_review_ask_everyone", readonly=False
    )
    gema_whatsapp_number = fields.Char(
        related="company_id.gema_whatsapp_number", readonly=False
    )
    gema_whatsapp_gateway_enabled = fields.Boolean(
        related="company_id.gema_whatsapp_gateway_enabled", readonly=False
    )
    gema_whatsapp_api_url = fields.Char(
        related="company_id.gema_whatsapp_api_url", readonly=False
    )
    gema_whatsapp_phone_number_id = fields.Char(
        related="company_id.gema_whatsapp_phone_number_id", readonly=False
    )
    gema_whatsapp_access_token = fields.Char(
        related="company_id.gema_whatsapp_access_token", readonly=False
    )
    gema_whatsapp_app_secret = fields.Char(
        related="company_id.gema_whatsapp_app_secret", readonly=False
    )
    gema_whatsapp_verify_token = fields.Char(
        related="company_id.gema_whatsapp_verify_token", readonly=False
    )
    gema_booking_slot_minutes = fields.Integer(
        related="company_id.gema_booking_slot_minutes", readonly=False
    )
    gema_service_bays = fields.Integer(
        related="company_id.gema_service_bays", readonly=False
    )
    gema_booking_no_show_grace = fields.Integer(
        related="company_id.gema_booking_no_show_grace", readonly=False
    )
    gema_conversation_retention_months = fields.Integer(
        related="company_id.gema_conversation_retention_months", readonly=False
    )
    gema_booking_retention_months = fields.Integer(
        related="company_id.gema_booking_retention_months", readonly=False
    )
    gema_ticket_retention_months = fields.Integer(
        related="company_id.gema_ticket_retention_months", readonly=False
    )
    gema_warranty_months = fields.Integer(
        related="company_id.gema_warranty_months", readonly=False
    )
    gema_ticket_alias_name = fields.Char(
        related="company_id.gema_ticket_alias_name", readonly=False
    )
    gema_ticket_alias_domain = fields.Char(related="company_id.alias_domain_name")

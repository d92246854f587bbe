# Copyright 2026 Gema Sehat Indonesia
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Gema SOP Customer Care",
    "summary": "Customer-care SOPs of a workshop chain: bookings, job status, "
    "follow-up, chat service and after-sales, with SLAs and violations",
    "version": "18.0.1.0.0",
    "category": "Services",
    "website": "https://github.com/gema-sehat-indonesia/gema_sop",
    "author": "Gema Sehat Indonesia",
    "license": "LGPL-3",
    "application": True,
    "depends": [
        "base_setup",
        "hr",
        "mail",
        "portal",
    ],
    "external_dependencies": {"python": ["phonenumbers"]},
    "data": [
        "security/gema_sop_security.xml",
        "security/ir.model.access.csv",
        "security/gema_sop_rules.xml",
        "data/mail_data.xml",
        "data/mail_activity_type_data.xml",
        "data/ir_cron_data.xml",
        "data/gema_sla_policy_data.xml",
        "views/res_config_settings_views.xml",
        "views/gema_sla_policy_views.xml",
        "views/gema_sla_status_views.xml",
        "views/gema_violation_views.xml",
        "views/gema_sop_document_views.xml",
        "views/gema_sop_menus.xml",
    ],
    "demo": [
        "demo/res_partner_demo.xml",
        "demo/res_company_demo.xml",
        "demo/res_users_demo.xml",
        "demo/hr_employee_demo.xml",
        "demo/gema_sop_document_demo.xml",
    ],
}

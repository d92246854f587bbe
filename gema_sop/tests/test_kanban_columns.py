"""The job and ticket desks' kanbans: every state a column, in the flow's
order, empty ones too (ST-10, AS-1 ... AS-5), as the chat desk's."""

from datetime import date

from odoo.tests import HttpCase, tagged

from ..models.gema_service_job import STATES as JOB_STATES
from ..models.gema_ticket import STATES as TICKET_STATES
from .service_job_common import ServiceJobCase


@tagged("post_install", "-at_install")
class TestKanbanColumns(ServiceJobCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.activate_indonesian()
        (cls.users["advisor"] | cls.users["cs"]).lang = "id_ID"

    def setUp(self):
        super().setUp()
        self._job()
        (
            self.env["gema.ticket"]
            .with_user(self.users["cs"])
            .with_company(self.branch)
            .create(
                {
                    "partner_id": self.customer.id,
                    "company_id": self.branch.id,
                    "channel": "whatsapp",
                    "product_name": "Aki 12V 45Ah",
                    "chronology": "Aki cepat habis sejak minggu lalu.",
                    "purchase_date": date(2026, 9, 1),
                }
            )
        )

    def test_st10_as1_every_state_is_a_column_in_flow_order(self):
        """ST-10, AS-1: grouped by state (what the kanban asks), jobs and
        tickets give one group per state in the flow's order, with one
        record in the first and none in the others."""
        for model, states, user in (
            ("gema.service.job", JOB_STATES, "advisor"),
            ("gema.ticket", TICKET_STATES, "cs"),
        ):
            with self.subTest(model=model):
                groups = (
                    self.env[model]
                    .with_user(self.users[user])
                    .web_read_group([], ["state"], ["state"])["groups"]
                )
                self.assertEqual([g["state"] for g in groups], [s for s, _ in states])
                self.assertEqual([g["state_count"] for g in groups][:2], [1, 0])

    def test_st10_as1_kanbans_show_every_state_in_chromium(self):
        """ST-10, AS-1 in Chromium: the service advisor's job kanban and the
        CS officer's ticket kanban show every state's column in order, in
        Indonesian."""
        self.start_tour(
            "/odoo/action-gema_sop.gema_service_job_action",
            "gema_job_kanban_columns",
            login="test_advisor",
        )
        self.start_tour(
            "/odoo/action-gema_sop.gema_ticket_action",
            "gema_ticket_kanban_columns",
            login="test_cs",
        )

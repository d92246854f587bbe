"""Fixtures of the service job tests (SPEC ST): a customer with a
WhatsApp number, their vehicle, two technicians of the test branch and a
helper opening walk-in jobs as the service advisor."""

from datetime import datetime, timedelta

from odoo import Command
from odoo.tests import freeze_time

from .common import GemaSopCase

# 2026-11-23 is a Monday; Asia/Jakarta (WIB) is UTC+7.
MONDAY_0900_WIB = datetime(2026, 11, 23, 2, 0)


class ServiceJobCase(GemaSopCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Budi Santoso",
                "mobile": "0812-3456-7890",
                "email": "budi@example.com",
                "company_id": cls.branch.id,
            }
        )
        cls.vehicle = cls.env["gema.vehicle"].create(
            {
                "license_plate": "bk1234abc",
                "vehicle_type": "Toyota Avanza",
                "partner_id": cls.customer.id,
                "company_id": cls.branch.id,
            }
        )
        cls.technician = cls.employees["technician"]
        cls.technician.resource_calendar_id = cls.calendar
        other_user = cls.env["res.users"].create(
            {
                "name": "Second Technician",
                "login": "test_technician_2",
                "groups_id": [
                    Command.set(cls.env.ref("gema_sop.group_technician").ids)
                ],
                "company_id": cls.branch.id,
                "company_ids": [Command.set(cls.branch.ids)],
                "tz": "Asia/Jakarta",
            }
        )
        cls.users["technician_2"] = other_user
        cls.technician_2 = cls.env["hr.employee"].create(
            {
                "name": "Second Technician",
                "user_id": other_user.id,
                "company_id": cls.branch.id,
                "resource_calendar_id": cls.calendar.id,
            }
        )
        cls.advisor = cls.users["advisor"]
        cls.Job = (
            cls.env["gema.service.job"].with_user(cls.advisor).with_company(cls.branch)
        )

    def _job(self, start=MONDAY_0900_WIB, hours=4.0, technicians=None, **values):
        """A walk-in job planned from ``start`` for ``hours``."""
        technicians = self.technician if technicians is None else technicians
        return self.Job.create(
            {
                "partner_id": self.customer.id,
                "vehicle_id": self.vehicle.id,
                "company_id": self.branch.id,
                "user_id": self.advisor.id,
                "technician_ids": [Command.set(technicians.ids)],
                "planned_start": start,
                "planned_stop": start + timedelta(hours=hours) if start else False,
                "estimated_duration": hours,
                "complaint": "Rem berbunyi saat mengerem",
                **values,
            }
        )

    def _inspected(self, job, cost=750000.0):
        job.action_inspect()
        job.write(
            {
                "diagnosis": "The front brake pads are worn out and must be "
                "replaced for safe braking.",
                "estimated_cost": cost,
            }
        )
        return job

    def _delivered_job(self, at):
        """A job taken through every step and handed over at ``at``."""
        with freeze_time(at - timedelta(hours=3)):
            job = self._inspected(self._job(start=None))
            tech = self._as("technician", job)
            tech.action_start()
            tech.action_finish()
            tech.action_qc_pass()
            job.pickup_date = at
            job.action_ready()
        with freeze_time(at):
            job.action_deliver()
        return job

    def _as(self, role, record):
        return record.with_user(self.users[role])

    def _messages(self, job):
        return self.env["gema.message"].search(
            [("res_model", "=", job._name), ("res_id", "=", job.id)], order="id"
        )

    def _sla_line(self, job, xmlid):
        return self.env["gema.sla.status"].search(
            [
                ("res_model", "=", job._name),
                ("res_id", "=", job.id),
                ("policy_id", "=", self.env.ref(xmlid).id),
            ],
            order="id desc",
            limit=1,
        )

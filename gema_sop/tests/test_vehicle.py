"""Vehicles are found again by their plate, however it is typed (BK-3, BK-8)."""

import psycopg2.errors

from odoo.exceptions import ValidationError
from odoo.tools import mute_logger

from .common import GemaSopCase


class TestVehicle(GemaSopCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.activate_indonesian()
        cls.Vehicle = cls.env["gema.vehicle"].with_company(cls.branch)
        cls.customer = cls.env["res.partner"].create({"name": "Siti Rahmawati"})

    def test_bk3_plate_normalised(self):
        """BK-3: bk1234abc, BK-1234-ABC and ' bk 1234 abc ' are one plate."""
        vehicle = self.Vehicle.create(
            {"license_plate": "bk1234abc", "vehicle_type": "Toyota Avanza"}
        )
        self.assertEqual(vehicle.license_plate, "BK 1234 ABC")
        self.assertEqual(vehicle.display_name, "BK 1234 ABC (Toyota Avanza)")
        vehicle.license_plate = "b-12-xy"
        self.assertEqual(vehicle.license_plate, "B 12 XY")
        for typed in ("B12XY", " b 12 xy ", "B.12.XY"):
            self.assertEqual(
                self.Vehicle._find_or_create(
                    typed, "Honda Jazz", self.customer, self.branch
                ),
                vehicle,
            )

    def test_bk3_invalid_plate_refused(self):
        with self.assertRaisesBilingual(
            ValidationError,
            "The licence plate 12 BK is not valid",
            "Nomor polisi 12 BK tidak valid",
        ) as run:
            run(
                lambda env: env["gema.vehicle"].create(
                    {"license_plate": "12 BK", "vehicle_type": "Avanza"}
                )
            )
        for wrong in ("BKK 1 A", "BK 12345 A", "BK 12 ABCD", "<script>"):
            with self.subTest(plate=wrong), self.assertRaises(ValidationError):
                self.Vehicle.create({"license_plate": wrong, "vehicle_type": "X"})

    def test_bk3_find_or_create_sets_owner_once(self):
        vehicle = self.Vehicle._find_or_create(
            "BK 77 ZZ", "Suzuki Ertiga", self.customer, self.branch
        )
        self.assertEqual(vehicle.partner_id, self.customer)
        other = self.env["res.partner"].create({"name": "Other"})
        again = self.Vehicle._find_or_create(
            "bk77zz", "Suzuki Ertiga", other, self.branch
        )
        self.assertEqual(again, vehicle)
        self.assertEqual(again.partner_id, self.customer)

    @mute_logger("odoo.sql_db")
    def test_bk3_plate_unique_per_branch(self):
        self.Vehicle.create({"license_plate": "BK 1 A", "vehicle_type": "X"})
        with (
            self.assertRaises(psycopg2.errors.UniqueViolation),
            self.env.cr.savepoint(),
        ):
            self.Vehicle.create({"license_plate": "bk1a", "vehicle_type": "Y"})
        other_branch = self.env["res.company"].create({"name": "Binjai"})
        self.env["gema.vehicle"].with_company(other_branch).create(
            {"license_plate": "BK 1 A", "vehicle_type": "X"}
        )

    def test_bk8_search_by_plate_as_typed(self):
        """BK-8: at check-in the SA types bk1234 and finds BK 1234 ABC."""
        vehicle = self.Vehicle.create(
            {"license_plate": "BK 1234 ABC", "vehicle_type": "Avanza"}
        )
        self.Vehicle.create({"license_plate": "BK 123 XY", "vehicle_type": "Jazz"})
        found = self.Vehicle.name_search("bk1234")
        self.assertEqual([vehicle_id for vehicle_id, _name in found], vehicle.ids)

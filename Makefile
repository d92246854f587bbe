# gema_sop: the two commands of the README, and the tools later work uses.
# Every target sets up what it needs (Odoo environment, PostgreSQL) itself.
.PHONY: run test lint shell odoo setup i18n help
SHELL := /bin/bash

help:
	@echo "make run               serve a demo database on http://localhost:8069"
	@echo "make test              lint, fresh install (with and without demo), test suite"
	@echo "make lint              ruff, pylint-odoo and the OCA module checks"
	@echo "make shell DB=name     Odoo shell on a database (reads a script from stdin)"
	@echo "make odoo ARGS='...'   Odoo's server command with the project's configuration"
	@echo "make i18n              refresh gema_sop/i18n/gema_sop.pot and id.po from the code"

setup:
	@bash tools/odoo.sh --version

run:
	@bash tools/run.sh

test:
	@bash tools/test.sh

lint:
	@bash tools/lint.sh

shell:
	@bash tools/shell.sh "$(DB)"

odoo:
	@bash tools/odoo.sh $(ARGS)

i18n:
	@bash tools/i18n.sh

import re

from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError

from .gema_conversation import PRIORITIES, REQUEST_TYPES

# A message with words of several kinds gets the strongest: a complaint over
# a special request over an information request (else a general question);
# urgent over high (else normal).
PRECEDENCE = {
    "request_type": ("complaint", "special", "information"),
    "priority": ("2", "1"),
}
MAX_KEYWORD = 64
# A keyword starts and ends with a letter or a digit, so that it is matched
# as whole words.
_WORD_EDGES = re.compile(r"^\w(.*\w)?$", re.DOTALL)


class GemaConversationKeyword(models.Model):
    """A word or phrase of a customer's first message that proposes the
    conversation's request type and/or priority (CS-3).

    The chat desk's classification is data a CS supervisor keeps: which
    words mean a complaint, a special request, an information request, and
    which make a request high or urgent, in Indonesian and English. Each
    keyword is matched whole and case-insensitively (a space matches any
    spacing); among the keywords found in a message the strongest proposal
    wins (``PRECEDENCE``); the officer corrects either. A keyword without a
    branch serves every branch.

    The active keywords of every branch are read once into compiled
    patterns, cached until a keyword changes: classifying a batch of
    conversations costs no query once they are loaded.
    """

    _name = "gema.conversation.keyword"
    _description = "Chat Classification Keyword"
    _order = "request_type, priority desc, name, id"

    name = fields.Char(
        string="Keyword",
        required=True,
        help="A word or phrase of the customer's message, e.g. mogok or "
        "rem blong; matched as whole words, whatever the case.",
    )
    request_type = fields.Selection(
        [item for item in REQUEST_TYPES if item[0] in PRECEDENCE["request_type"]],
        string="Proposes Request Type",
    )
    priority = fields.Selection(
        [item for item in PRIORITIES if item[0] in PRECEDENCE["priority"]],
        string="Proposes Priority",
    )
    language = fields.Selection([("id", "Indonesian"), ("en", "English")])
    note = fields.Char(string="Notes")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        string="Branch",
        index=True,
        help="Empty: the keyword serves every branch.",
    )

    @api.constrains("name", "request_type", "priority")
    def _check_keyword(self):
        problems = []
        for keyword in self:
            if len(keyword.name) > MAX_KEYWORD or not _WORD_EDGES.match(keyword.name):
                problems.append(
                    self.env._(
                        "%(keyword)s: a keyword is a word or phrase of at most "
                        "%(max)s characters that starts and ends with a letter "
                        "or a digit.",
                        keyword=keyword.name,
                        max=MAX_KEYWORD,
                    )
                )
            if not (keyword.request_type or keyword.priority):
                problems.append(
                    self.env._(
                        "%(keyword)s: choose the request type or the priority "
                        "the keyword proposes.",
                        keyword=keyword.name,
                    )
                )
        if problems:
            raise ValidationError("\n".join(problems))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            _tidy(vals)
        keywords = super().create(vals_list)
        self.env.registry.clear_cache()
        return keywords

    def write(self, vals):
        result = super().write(_tidy(vals))
        self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result

    @api.model
    def _propose(self, field, text, company):
        """The value of ``field`` (``request_type`` or ``priority``) that
        the keywords of ``company`` (and of every branch) find in ``text``,
        the strongest first; None when none is found."""
        if not text:
            return None
        patterns = self._patterns()
        for value in PRECEDENCE[field]:
            for branch in (False, company.id):
                pattern = patterns.get((field, value, branch))
                if pattern and pattern.search(text):
                    return value
        return None

    @api.model
    @tools.ormcache()
    def _patterns(self):
        """{(field, value, branch id or False): compiled pattern} of the
        active keywords, read with one query (sudo: the keywords are the
        desk's configuration, the same for whoever opens a conversation)."""
        words = {}
        for keyword in self.sudo().search_read(
            [("active", "=", True)], ["name", "request_type", "priority", "company_id"]
        ):
            branch = keyword["company_id"] and keyword["company_id"][0]
            for field in PRECEDENCE:
                if keyword[field]:
                    key = (field, keyword[field], branch)
                    words.setdefault(key, []).append(keyword["name"])
        return {key: _pattern(names) for key, names in words.items()}


def _tidy(vals):
    """A keyword typed with stray spaces is kept with single spaces."""
    if isinstance(vals.get("name"), str):
        vals["name"] = " ".join(vals["name"].split())
    return vals


def _pattern(names):
    """One case-insensitive pattern matching any of ``names`` as whole
    words, a space matching any run of spaces."""
    alternatives = "|".join(
        r"\s+".join(re.escape(part) for part in name.split()) for name in names
    )
    return re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)

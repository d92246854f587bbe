from odoo.tools import SQL


def assign_numbers(model, vals_list, companies=None):
    """Give each of ``vals_list`` (records about to be created in ``model``)
    the next number of the sequence whose code is the model's name, unless
    it has one. The sequence counts per branch: ``companies[i]`` when given,
    else the branch in the values, else the user's current company.

    The numbers of a batch are drawn together: the sequence is looked up
    once per branch and a plain sequence (PostgreSQL's, without yearly
    ranges) gives all its numbers in one query, in the order of the
    values; any other kind draws them one by one, as Odoo does."""
    Company = model.env["res.company"]
    todo = {}
    for index, vals in enumerate(vals_list):
        if vals.get("name", "/") != "/":
            continue
        company = (companies and companies[index]) or Company.browse(
            vals.get("company_id") or model.env.company.id
        )
        todo.setdefault(company, []).append(vals)
    for company, company_vals in todo.items():
        names = _next_names(model.env["ir.sequence"].with_company(company), model)
        for vals, name in zip(company_vals, names(len(company_vals)), strict=True):
            vals["name"] = name or "/"


def _next_names(Sequence, model):
    """A function giving the next ``n`` numbers of ``model``'s sequence in
    the environment's company (``False`` each when it has none), with the
    access check and the choice of sequence of ``next_by_code``."""
    Sequence.browse().check_access("read")
    sequence = Sequence.search(
        [
            ("code", "=", model._name),
            ("company_id", "in", [Sequence.env.company.id, False]),
        ],
        order="company_id",
        limit=1,
    )
    if not sequence:
        return lambda n: [False] * n
    if sequence.implementation != "standard" or sequence.use_date_range:
        return lambda n: [sequence._next() for _i in range(n)]

    def names(n):
        rows = Sequence.env.execute_query(
            SQL(
                "SELECT nextval(%s) FROM generate_series(1, %s)",
                f"ir_sequence_{sequence.id:03d}",
                n,
            )
        )
        return [sequence.get_next_char(number) for number in sorted(r[0] for r in rows)]

    return names

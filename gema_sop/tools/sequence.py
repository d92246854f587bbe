def assign_number(model, vals, company=None):
    """Give ``vals`` (a record about to be created in ``model``) the next
    number of the sequence whose code is the model's name, unless it has
    one. The sequence counts per ``company``: given, else the branch in
    ``vals``, else the user's current company."""
    if vals.get("name", "/") != "/":
        return
    company = company or model.env["res.company"].browse(
        vals.get("company_id") or model.env.company.id
    )
    vals["name"] = (
        model.env["ir.sequence"].with_company(company).next_by_code(model._name) or "/"
    )

def write_grouped(records, name, values):
    """Set field ``name`` of each of ``records`` to its value of ``values``
    (records, in the same order), with one write per distinct value: a write
    per record would run every write hook (the SLA engine's) once each."""
    groups = {}
    for record, value in zip(records, values, strict=True):
        groups[value] = groups.get(value, record.browse()) | record
    for value, group in groups.items():
        group[name] = value

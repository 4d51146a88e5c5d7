"""The generate flow: school input (+ the board's profile) → package → HTML/PDF documents.

    school.py     input model, profile model, validation messages
    package.py    what the documents show, derived from input + profile
    documents.py  render and write one school's documents (atomically)
    roster.py     read a roster (CSV/XLSX) into school inputs
    bulk.py       generate a whole roster in worker processes"""

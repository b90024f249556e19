"""The workflow engine of the Muhtar Bilgi Sistemi: no Flask in here.

Operations take a SQLAlchemy session (a unit of work), flush, and never commit; the caller commits once.
"""

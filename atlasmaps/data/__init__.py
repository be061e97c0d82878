"""Partnership data: the schema (columns, vocabularies), readers (CSV/XLSX/JSON) and validation."""

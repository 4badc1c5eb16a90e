"""Pages of the assessments capability: the public self-assessment form, officers' pages
and the installable offline form."""

"""The record types, and the records read from QuickBooks: parsed, stored and served."""

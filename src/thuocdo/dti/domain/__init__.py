"""Pure DTI logic (no Django): structures, validation, scoring, ranking."""

"""Records and helpers every stage uses; imports no stage."""

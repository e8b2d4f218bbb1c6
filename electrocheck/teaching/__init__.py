"""For educators: explanations of each analyte, sweeps across values, and the text gauge."""

"""For educators: explanations of each analyte, sweeps across values, the text
gauge, and pictures of results and sweeps."""

"""Pure Python: the adaptive algorithm, knowledge inference and scoring. No Django import here, so the
benches simulate thousands of learners through exactly the code the test engine runs."""

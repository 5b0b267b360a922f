"""Statistical process control: the XmR maths after Making Data Count, and reading a series from CSV. No I/O beyond
that, no drawing."""

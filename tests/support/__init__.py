"""What the tests share, written once: the scriptable loopback server and its replies
(`loopback`), both clients run alike (`clients`), fake keys and credentials (`credentials`),
the replay server of recorded exchanges (`replay`), record mode (`record`), the fuzz suite's
generated server behaviours (`fuzzing`), the OpenAPI check of a recording (`spec`), and the
repository's paths (`paths`)."""

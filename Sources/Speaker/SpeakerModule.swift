// The speaker daemon: see docs/speaker.md.

// The controller daemon: see docs/controller.md.

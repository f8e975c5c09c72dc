// Daemon module — see DESIGN §2.

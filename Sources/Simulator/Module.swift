// Simulator module — see DESIGN §2.

print("skillhostd")

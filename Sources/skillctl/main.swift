print("skillctl")

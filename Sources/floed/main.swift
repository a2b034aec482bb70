print("floed")

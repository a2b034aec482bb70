// FloeAPI

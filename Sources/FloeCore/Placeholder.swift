// FloeCore

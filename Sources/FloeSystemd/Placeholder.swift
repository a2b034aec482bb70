// FloeSystemd

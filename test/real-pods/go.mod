module triton-jetson.dev/real-pods

go 1.24

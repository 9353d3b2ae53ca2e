// InferenceDriver

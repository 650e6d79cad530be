# Streams, events, the main window.
target_sources(eventscope_models PRIVATE eventpagemodel.cpp eventpagemodel.h)
target_sources(eventscope_models PRIVATE streamlistmodel.cpp streamlistmodel.h)

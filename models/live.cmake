# The live chart's and the live tail's models, fed by the live feed (core/livefeed.h).
target_sources(eventscope_models PRIVATE liveratemodel.cpp liveratemodel.h livetailmodel.cpp livetailmodel.h)

# The replay view's models: the diff of two states, and the tint of changed paths in a state tree.
target_sources(eventscope_models PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/statediffmodel.cpp ${CMAKE_CURRENT_LIST_DIR}/statediffmodel.h
)

echo load

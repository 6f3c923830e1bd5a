import factory

from content.models import Post, PostSection, SectionType, Tag


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Post number {n}")
    subtitle = "A subtitle"
    content = "An introduction."
    summary = factory.LazyAttribute(lambda post: f"Summary of {post.title}.")
    published = True

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PostSection

    post = factory.SubFactory(PostFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Section {n}")
    content_type = SectionType.TEXT
    content = "Some *Markdown* text."


class ImageSectionFactory(SectionFactory):
    content_type = SectionType.IMAGE
    content = ""
    image = factory.SubFactory("media_library.tests.factories.ImageFactory")


class VideoSectionFactory(SectionFactory):
    content_type = SectionType.VIDEO
    content = ""
    video_url = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    duration = 212


class AudioSectionFactory(SectionFactory):
    content_type = SectionType.AUDIO
    content = ""
    audio_url = "https://example.org/episode.mp3"
    duration = 1800

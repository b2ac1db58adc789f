package dev.cria.world;

import java.util.List;

/**
 * What goes wrong in a story, and how it is put right: each event carries its own sentence templates
 * (problem, resolution), the feelings the hero has about it and the lessons it can teach.
 *
 * <p>Templates use the slots listed in {@link StoryLines}. A resolution that mentions {@code {helper}}
 * or {@code {other}} is only chosen once that character has been introduced, and one with
 * {@code {helperIntro}} or {@code {otherIntro}} only before; so the lists below mix variants in which the
 * hero is helped, meets someone, or manages alone. This enum is data, not logic.
 */
public enum StoryEvent {
    LOSES_OBJECT("loses {his} {object}",
            List.of("sad", "upset", "worried"),
            List.of(
                    "{name} played and played. But when {he} looked around, {his} {object} was gone! {name} felt very {sad}.",
                    "After a while, {name} could not find {his} {object}. {he} looked everywhere, but it was not there, and {he} felt {sad}.",
                    "Then {name} put {his} {object} down to rest. When {he} came back, the {object} was gone! \"Oh no!\" cried {name}."),
            List.of(
                    "Just then, {helperIntro} came by and asked, \"Why are you {sad}?\" Together, they looked and looked, and at last they found the {object} {hide}!",
                    "{helperIntro} came to help, and they looked high and low. Soon {helper} pointed and said, \"Look, there it is!\" The {color} {object} was {hide}.",
                    "{name} took a deep breath and did not give up. {he} looked {hide}, and there it was! {his} {color} {object} was safe."),
            List.of("it is important to take care of your things",
                    "you should never give up",
                    "it helps to look carefully")),

    OBJECT_STUCK("gets {his} {object} stuck in a tree",
            List.of("sad", "upset"),
            List.of(
                    "Suddenly, a big gust of wind blew {his} {object} up into a tall tree. {name} jumped and jumped, but {he} could not reach it.",
                    "{name} threw {his} {object} up high. Up, up, up it went, and it landed at the top of a tree! {name} felt {sad}."),
            List.of(
                    "Then {helperIntro} came along with a long stick and gently poked the branch. Down came the {object}!",
                    "{name} had an idea. {he} found a long stick and shook the branch, and down fell the {object}, right in front of {him}!",
                    "{name} called for help, and {helperIntro} came running. {helper} climbed up the tree, one branch at a time, and brought the {object} back down."),
            List.of("when you have a problem, you can stop and think",
                    "it is good to be patient",
                    "there is always a way to fix a problem")),

    OBJECT_BREAKS("breaks {his} {object}",
            List.of("sad", "upset"),
            List.of(
                    "But then {name} dropped {his} {object}, and it {broke}. {name} began to cry.",
                    "{name} played too rough, and {his} {object} {broke}. \"Oh no!\" cried {name}, feeling very {sad}."),
            List.of(
                    "{helperIntro} heard {name} crying and said, \"Don't be sad. We can fix it together.\" Soon the {object} was as good as new.",
                    "{name} wiped {his} tears and fixed the {object} carefully with some tape. It was not perfect, but {name} loved it even more.",
                    "{name} showed the {object} to {helperIntro}, who smiled and said, \"I can fix that!\" Soon the {color} {object} was as good as new."),
            List.of("it is important to be gentle with your things",
                    "broken things can often be fixed",
                    "it is okay to feel sad when something goes wrong")),

    IT_RAINS("gets caught in the rain",
            List.of("sad", "cold", "grumpy"),
            List.of(
                    "Suddenly, dark clouds filled the sky, and it began to rain. {name} and {his} {object} got all wet, and {he} felt {sad}.",
                    "Then the sky turned gray. Drip, drop, drip! Big drops of rain began to fall, and {name} felt {sad}."),
            List.of(
                    "Just then, {helperIntro} came with a big umbrella. {name} and {helper} stayed dry under it until the rain stopped.",
                    "{name} found a big tree and hid under it. Soon the rain stopped, and the sun came out. There was a beautiful rainbow in the sky!",
                    "Then {name} had an idea: {he} jumped in the puddles, splash, splash! Playing in the rain was fun after all."),
            List.of("even a rainy day can be fun",
                    "bad weather does not last forever",
                    "you can find something good in every day")),

    GETS_LOST("gets lost",
            List.of("scared", "worried", "afraid"),
            List.of(
                    "{name} walked farther and farther, and soon {he} did not know where {he} was. {name} was lost, and {he} felt {sad}.",
                    "{name} followed a pretty butterfly for a long, long time. When {he} stopped, {he} was lost!"),
            List.of(
                    "Then {helperIntro} found {name} and said, \"Don't worry, I know the way.\" Together, they walked all the way back to the path.",
                    "{name} remembered what {his} mom always said: stay calm and look for something you know. {he} saw a tall tree {he} knew and followed the path back.",
                    "{name} sat down and called, \"Hello! Can anyone help me?\" Soon {helperIntro} heard {him} and showed {him} the way back."),
            List.of("it is important to stay close to the people who love you",
                    "you should stay calm when you feel scared",
                    "it is good to remember the way you came")),

    FALLS_DOWN("falls down and gets hurt",
            List.of("sad", "upset"),
            List.of(
                    "{name} ran very fast, but {he} tripped over a rock and fell down. {his} knee hurt, and {he} began to cry.",
                    "{name} climbed up on a big rock to see far away. Then {he} slipped and fell down, and {his} knee hurt a lot."),
            List.of(
                    "{helperIntro} ran over, gave {name} a big hug and put a bandage on {his} knee. Soon {name} felt much better.",
                    "{name} sat down and took a deep breath. After a little while, the hurt went away, and {he} stood up with a smile.",
                    "Then {helperIntro} came by and helped {name} stand up. \"You are very brave,\" said {helper}, and {name} smiled."),
            List.of("it is good to be careful and not run too fast",
                    "being brave helps you get back up again",
                    "a little hurt goes away soon")),

    MEETS_LONELY_FRIEND("meets a lonely new friend",
            List.of("sorry for the {other}"),
            List.of(
                    "Then {name} saw {otherIntro} sitting all alone under a tree. The {other} looked very sad, and {name} felt {sad}.",
                    "Near a big rock, {name} found {otherIntro}. The {other} was crying. \"I have no friends,\" said the {other}."),
            List.of(
                    "{name} walked over and asked, \"Do you want to play with me?\" The {other} smiled a big smile, and they played with the {color} {object} together all day.",
                    "{name} wanted to help. {he} shared {his} {object} with the {other}, and soon they were laughing and playing together.",
                    "{helperIntro} saw them and said, \"Why don't you two play together?\" So {name} and the {other} took turns with the {object}, and the {other} was not lonely anymore."),
            List.of("being kind to others makes everyone happy",
                    "a new friend can be found anywhere",
                    "sharing your things is a good way to make friends")),

    WONT_SHARE("learns to share {his} {object}",
            List.of("grumpy", "upset"),
            List.of(
                    "Then {otherIntro} came over and asked, \"Can I play with your {object}?\" But {name} held the {object} tight and said, \"No, it is mine!\" The {other} walked away, looking sad.",
                    "Soon {otherIntro} saw the {color} {object}. \"May I have a turn?\" asked the {other}. {name} felt {sad} and said, \"No! I want to play with it by myself.\""),
            List.of(
                    "{name} felt bad inside, so {he} ran after the {other} and said, \"I am sorry. We can play with it together.\" Then they took turns with the {object}.",
                    "{helperIntro} saw what happened. \"Sharing makes playing more fun,\" said {helper}. {name} thought about it, and then {he} gave the {other} a turn.",
                    "{name} watched the {other} play alone and felt lonely. So {he} said, \"Let's play together!\" The two of them laughed and played with the {object} all afternoon."),
            List.of("sharing is caring",
                    "it is more fun to play together than alone",
                    "being kind makes everyone happy")),

    HEARS_SCARY_NOISE("hears a scary noise",
            List.of("scared", "afraid"),
            List.of(
                    "Suddenly, {name} heard a loud noise nearby. Rustle, rustle! {name} was very {sad}.",
                    "Then something went crack and snap behind a bush. {name} felt {sad} and wanted to run away."),
            List.of(
                    "{name} wanted to be brave, so {he} tiptoed closer and peeked. It was only {otherIntro} playing with a leaf!",
                    "{helperIntro} came and held {name}'s hand, and together they looked. It was just the wind in the leaves, and {name} laughed at {himself}.",
                    "{name} took a deep breath and looked. It was only a little bird hopping in the leaves!"),
            List.of("things are not always as scary as they seem",
                    "being brave means trying even when you feel scared",
                    "it helps to look closely before you run away")),

    TRIES_SOMETHING_HARD("tries to climb a tall tree",
            List.of("sad", "tired", "upset"),
            List.of(
                    "{name} saw a tall tree and wanted to climb to the top. {he} tried and tried, but {he} kept slipping down, and {he} felt {sad}.",
                    "There was a very tall tree, and {name} wanted to climb it. But the first branch was too high, and {name} felt {sad}."),
            List.of(
                    "{helperIntro} saw {name} and said, \"Try one step at a time.\" So {name} tried again, slowly, and at last {he} reached the top!",
                    "But {name} did not give up. {he} practiced every day, and one morning {he} climbed all the way to the top. {he} felt so proud!",
                    "{name} rolled a big rock to the tree and stood on it. Now {he} could reach the first branch! Up and up {he} went, all the way to the top."),
            List.of("if you keep trying, you can do hard things",
                    "practice helps you get better",
                    "you should never give up"));

    private final String summary;
    private final List<String> feelings;
    private final List<String> problems;
    private final List<String> resolutions;
    private final List<String> lessons;

    StoryEvent(String summary, List<String> feelings, List<String> problems, List<String> resolutions, List<String> lessons) {
        this.summary = summary;
        this.feelings = feelings;
        this.problems = problems;
        this.resolutions = resolutions;
        this.lessons = lessons;
    }

    /** A verb phrase for prompts, a template: "loses {his} {object}" (see {@link StoryTopic#describe()}). */
    public String summary() {
        return summary;
    }

    /** How the hero feels about the problem; fills the {@code {sad}} slot. */
    List<String> feelings() {
        return feelings;
    }

    List<String> problems() {
        return problems;
    }

    List<String> resolutions() {
        return resolutions;
    }

    /** Clauses that follow "learned that"; fill the {@code {lesson}} slot. */
    List<String> lessons() {
        return lessons;
    }
}
